// The real worker on a disk that can be told to refuse one write (see fail-next-idb-write.ts).
import './fail-next-idb-write';
import '../../../src/worker/worker';
