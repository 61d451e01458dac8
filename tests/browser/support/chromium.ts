import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const DEFAULT_PATH = '/usr/bin/chromium';

/** The Chromium binary: $CHROMIUM_PATH, else the Debian package's path. */
export function findChromium(): string {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) {
      throw new Error(`CHROMIUM_PATH="${fromEnv}" does not exist: point it at a Chromium binary, or unset it to use ${DEFAULT_PATH}.`);
    }
    return fromEnv;
  }
  if (existsSync(DEFAULT_PATH)) return DEFAULT_PATH;
  throw new Error(
    `No Chromium found at ${DEFAULT_PATH}: install one with \`apt-get install -y chromium\`, or set CHROMIUM_PATH to a Chromium binary.`,
  );
}

// WebGPU runs on SwiftShader in headless Chromium only when explicitly
// unlocked; the rest keeps the browser from making requests of its own, so
// the network tests see only what the page asked for.
const ARGS = [
  '--enable-unsafe-webgpu',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-quic',
  '--disable-sync',
];

/**
 * Launches headless Chromium, with WebGPU enabled unless `webgpu: false` (to
 * test the fallbacks). For a run on a real GPU (README, Performance):
 * $LOCALREC_CHROMIUM_ARGS adds flags (space-separated) and
 * $LOCALREC_HEADED=1 shows the window, since headless Chromium on Linux
 * offers only SwiftShader's adapter.
 */
export function launchChromium(options: { webgpu?: boolean } = {}): Promise<Browser> {
  const extra = (process.env.LOCALREC_CHROMIUM_ARGS ?? '').split(/\s+/).filter(Boolean);
  const args = [...(options.webgpu === false ? ARGS.filter((a) => a !== '--enable-unsafe-webgpu') : ARGS), ...extra];
  return chromium.launch({ executablePath: findChromium(), args, headless: process.env.LOCALREC_HEADED !== '1' });
}
