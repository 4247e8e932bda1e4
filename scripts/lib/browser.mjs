// Headless Chromium (Debian's) through playwright-core, for the code-server runner and e2e tests.
import { existsSync } from 'node:fs';

export function chromiumPath() {
  for (const p of [
    process.env.CHROME_PATH,
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
  ])
    if (p && existsSync(p)) return p;
  return undefined;
}

export async function launchChromium({ webgpu = false } = {}) {
  const { chromium } = await import('playwright-core');
  const executablePath = chromiumPath();
  if (!executablePath)
    throw new Error('no Chromium found (apt-get install chromium, or set CHROME_PATH)');
  const args = [
    '--no-sandbox',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-dev-shm-usage',
  ];
  if (webgpu) args.push('--enable-unsafe-webgpu');
  return chromium.launch({ executablePath, args, headless: true });
}
