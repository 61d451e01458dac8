import { describe, expect, it } from 'vitest';
import { downloadFiles, fetchBytes, siblingUrl, type Fetch } from '../../../src/worker/download';
import type { LoadProgress } from '../../../src/worker/messages';

const text = (s: string) => new TextEncoder().encode(s).buffer as ArrayBuffer;

function fakeFetch(files: Record<string, string>): { fetch: Fetch; urls: string[] } {
  const urls: string[] = [];
  const fetch: Fetch = async (url) => {
    urls.push(url);
    const body = files[url];
    if (body === undefined) return new Response('missing', { status: 404, statusText: 'Not Found' });
    return new Response(body, { headers: { 'content-length': String(new TextEncoder().encode(body).byteLength) } });
  };
  return { fetch, urls };
}

describe('download', () => {
  it('resolves shard names next to model.json', () => {
    expect(siblingUrl('https://x.test/models/demo/model.json', 'weights.bin')).toBe('https://x.test/models/demo/weights.bin');
  });

  it('downloads with progress ending at the full size', async () => {
    const { fetch } = fakeFetch({ 'https://x.test/m/a.bin': 'hello world' });
    const events: LoadProgress[] = [];
    const bytes = await fetchBytes('https://x.test/m/a.bin', 'a.bin', (e) => events.push(e), fetch);
    expect(new TextDecoder().decode(bytes)).toBe('hello world');
    expect(events.at(-1)).toEqual({ phase: 'download', file: 'a.bin', loaded: 11, total: 11 });
  });

  it('fetches every listed file and names the URL on failure', async () => {
    const { fetch, urls } = fakeFetch({ 'https://x.test/m/w.bin': 'w', 'https://x.test/m/c.json': '[]' });
    const files = await downloadFiles('https://x.test/m/model.json', text('{}'), ['w.bin', 'c.json'], () => {}, fetch);
    expect(Object.keys(files).sort()).toEqual(['c.json', 'model.json', 'w.bin']);
    expect(urls).toEqual(['https://x.test/m/w.bin', 'https://x.test/m/c.json']);
    await expect(downloadFiles('https://x.test/m/model.json', text('{}'), ['nope.bin'], () => {}, fetch)).rejects.toThrow(
      'Could not download https://x.test/m/nope.bin: HTTP 404',
    );
  });
});
