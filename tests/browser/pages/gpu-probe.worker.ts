import { probeGpu } from './gpu-probe';

probeGpu().then(
  (result) => self.postMessage({ ok: true, result }),
  (error: unknown) => self.postMessage({ ok: false, message: String(error) }),
);
