import type { BrowserContext } from 'playwright-core';

/** Where tests serve fixture artifacts from, on the dev server's origin. */
export const FIXTURE_PREFIX = '/fixture-models';

const CONTENT_TYPES: Record<string, string> = { json: 'application/json', bin: 'application/octet-stream' };

/**
 * Serves an artifact's files at `${FIXTURE_PREFIX}/${name}/…` for every page
 * and worker of the context; `tamper` flips a byte of that file. Returns the
 * model.json URL path.
 */
export async function serveArtifact(
  context: BrowserContext,
  name: string,
  files: Record<string, Uint8Array>,
  options: { tamper?: string } = {},
): Promise<string> {
  const prefix = `${FIXTURE_PREFIX}/${name}/`;
  await context.route(`**${prefix}*`, async (route) => {
    const file = new URL(route.request().url()).pathname.slice(prefix.length);
    const body = files[file];
    if (!body) return route.fulfill({ status: 404, body: `no fixture file ${file}` });
    const bytes = Buffer.from(body);
    if (options.tamper === file) bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 0x01;
    return route.fulfill({ status: 200, body: bytes, contentType: CONTENT_TYPES[file.split('.').pop() ?? ''] ?? 'application/octet-stream' });
  });
  return `${prefix}model.json`;
}
