// Load analytics.js (@segment/analytics-next's UMD bundle from node_modules) in headless
// Chromium against an inspector, make calls, and print a JSON summary on stdout.
//
//   node run-browser.mjs <inspector-url> <write-key> <standard|batching> [chromium]
//
// Everything stays on this machine:
// - the page and the bundle (with its lazy chunks) come from a static server started
//   here on 127.0.0.1; the SDK's settings and events go to the inspector (cdnURL);
// - Chromium runs with a fresh --user-data-dir, background networking off, and
//   --proxy-server pointing at a local "trap" that answers 403 and records anything
//   not addressed to the loopback (Chromium never proxies loopback), so a request that
//   would leave the machine is recorded here instead of being sent;
// - every request the page makes is recorded (CDP Network via playwright-core).
// Exit code 0 when the run completed (the test judges the summary), 1 on a failure to
// drive the browser (with the reason on stderr), 2 on bad usage.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import fs from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

const HERE = path.dirname(fileURLToPath(import.meta.url))
const BUNDLES = path.join(HERE, 'node_modules/@segment/analytics-next/dist/umd')
const PAGE_DIR = path.join(HERE, 'browser')
const DEADLINE_MS = 50000

const [inspector, writeKey, mode, chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium'] =
  process.argv.slice(2)
if (!inspector || !writeKey || !['standard', 'batching'].includes(mode)) {
  console.error('usage: node run-browser.mjs <inspector-url> <write-key> <standard|batching> [chromium]')
  process.exit(2)
}
if (!fs.existsSync(chromiumPath)) {
  console.error(`chromium not found at ${chromiumPath}; run scripts/install-test-deps.sh`)
  process.exit(1)
}

const cleanups = []
async function cleanup() {
  while (cleanups.length) {
    try {
      await cleanups.pop()()
    } catch (err) {
      console.error('cleanup:', err)
    }
  }
}
process.on('uncaughtException', async (err) => {
  console.error('run-browser.mjs: uncaught', err?.stack ?? err)
  await cleanup()
  process.exit(1)
})
const deadline = setTimeout(async () => {
  console.error(`run-browser.mjs: gave up after ${DEADLINE_MS / 1000} s`)
  await cleanup()
  process.exit(1)
}, DEADLINE_MS)

const listen = async (server) => {
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  cleanups.push(
    () =>
      new Promise((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections?.()
      })
  )
  return server.address().port
}

// ---------------------------------------------------------------- static server
const served = []
const types = { '.html': 'text/html', '.js': 'text/javascript', '.map': 'application/json' }
const staticServer = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://127.0.0.1')
  served.push(url.pathname)
  let file = null
  let body = null
  if (url.pathname === '/' || url.pathname === '/index.html') file = path.join(PAGE_DIR, 'index.html')
  else if (url.pathname === '/page.js') file = path.join(PAGE_DIR, 'page.js')
  else if (url.pathname === '/config.js') {
    const run = writeKey.replace(/[^A-Za-z0-9-]/g, '').slice(-8)
    body = `window.E2E = ${JSON.stringify({ inspector, writeKey, mode, run })}\n`
    file = 'config.js'
  } else if (url.pathname.startsWith('/analytics-next/bundles/')) {
    const name = path.basename(url.pathname)
    if (/^[\w.-]+\.js(\.map)?$/.test(name)) file = path.join(BUNDLES, name)
  }
  if (body === null && (file === null || !fs.existsSync(file))) {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found')
    return
  }
  res.writeHead(200, {
    'Content-Type': types[path.extname(file)] ?? 'application/octet-stream',
    'Cache-Control': 'no-store',
  })
  res.end(body ?? fs.readFileSync(file))
})

// ---------------------------------------------------------------- trap "proxy"
const escaped = []
const trap = http.createServer((req, res) => {
  let body = ''
  req.on('data', (d) => {
    body = (body + d).slice(0, 2000)
  })
  req.on('end', () => {
    escaped.push(`${req.method} ${req.url}` + (body ? ` ${body}` : ''))
    res.writeHead(403, { 'Content-Type': 'text/plain' }).end('blocked by the e2e test')
  })
})
trap.on('connect', (req, socket) => {
  escaped.push(`CONNECT ${req.url}`)
  socket.on('error', () => {})
  socket.end('HTTP/1.1 403 Forbidden\r\n\r\n')
})
trap.on('clientError', (_err, socket) => socket.destroy())
staticServer.on('clientError', (_err, socket) => socket.destroy())

async function waitForFile(file, ms) {
  const until = Date.now() + ms
  while (Date.now() < until) {
    if (fs.existsSync(file)) {
      const text = fs.readFileSync(file, 'utf8')
      if (text.includes('\n')) return text
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`${file} did not appear within ${ms} ms`)
}

try {
  const staticPort = await listen(staticServer)
  const trapPort = await listen(trap)
  const origin = `http://127.0.0.1:${staticPort}`

  // ---------------------------------------------------------------- chromium
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'inspector-e2e-chromium-'))
  cleanups.push(() => fs.rmSync(userDataDir, { recursive: true, force: true }))
  const flags = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-quic',
    `--user-data-dir=${userDataDir}`,
    '--no-default-browser-check',
    '--disable-dev-shm-usage',
    // Chromium's own background calls to Google services that the flags above leave on.
    '--disable-extensions',
    '--disable-default-apps',
    '--disable-domain-reliability',
    '--disable-client-side-phishing-detection',
    '--disable-breakpad',
    '--no-pings',
    '--metrics-recording-only',
    '--disable-field-trial-config',
    '--disable-features=NetworkTimeServiceQuerying,OptimizationHints,OptimizationGuideModelDownloading,OptimizationGuideOnDeviceModel,MediaRouter,DialMediaRouteProvider,Translate,AutofillServerCommunication,CertificateTransparencyComponentUpdater,InterestFeedContentSuggestions,SafeBrowsing',
    `--proxy-server=http://127.0.0.1:${trapPort}`,
    // No DNS lookup leaves either: every name but the loopback address fails to resolve.
    '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
    '--remote-debugging-port=0',
    'about:blank',
  ]
  // TMPDIR inside the profile: Chromium's scratch files go away with it.
  const child = spawn(chromiumPath, flags, {
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
    env: { ...process.env, TMPDIR: userDataDir },
  })
  let chromeErr = ''
  child.stderr.on('data', (d) => {
    chromeErr = (chromeErr + d).slice(-4000)
  })
  // Never leave a browser behind, even if this script dies.
  process.on('exit', () => {
    try {
      process.kill(-child.pid, 'SIGKILL')
    } catch {}
  })
  cleanups.push(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    try {
      process.kill(-child.pid, 'SIGTERM') // the browser and its helpers (own process group)
    } catch {}
    const exited = once(child, 'exit')
    const timer = new Promise((r) => setTimeout(r, 5000, 'timeout'))
    if ((await Promise.race([exited, timer])) === 'timeout') {
      try {
        process.kill(-child.pid, 'SIGKILL')
      } catch {}
    }
  })
  const portFile = await waitForFile(path.join(userDataDir, 'DevToolsActivePort'), 20000).catch(
    (err) => {
      throw new Error(`${err.message}; chromium stderr:\n${chromeErr}`)
    }
  )
  const cdpPort = Number(portFile.split('\n')[0])
  const browser = await chromium.connectOverCDP(`http://127.0.0.1:${cdpPort}`, { timeout: 15000 })
  cleanups.push(async () => {
    // Ask Chromium to quit (it then removes its own files); the kill above is the fallback.
    const cdp = await browser.newBrowserCDPSession().catch(() => null)
    const exited = once(child, 'exit')
    if (cdp && (await cdp.send('Browser.close').then(() => true, () => false))) {
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))])
    }
    await browser.close().catch(() => {})
  })
  const version = browser.version()
  const context = browser.contexts()[0]

  // ---------------------------------------------------------------- record requests
  const requests = []
  const records = new Map() // playwright Request -> its record in `requests`
  const consoleErrors = []
  context.on('request', (req) => {
    const rec = { method: req.method(), url: req.url(), headers: req.headers(), status: undefined }
    records.set(req, rec)
    requests.push(rec)
  })
  context.on('response', (resp) => {
    const rec = records.get(resp.request())
    if (rec) rec.status = resp.status()
  })
  context.on('requestfailed', (req) => {
    const rec = records.get(req)
    if (rec) {
      rec.status = null
      rec.failure = req.failure()?.errorText ?? 'failed'
    }
  })
  const unsettled = () => requests.filter((r) => r.status === undefined)

  const page = context.pages()[0] ?? (await context.newPage())
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') consoleErrors.push(`${msg.type()}: ${msg.text()}`)
  })
  page.on('pageerror', (err) => consoleErrors.push(`pageerror: ${err.message}`))

  await page.goto(`${origin}/`, { waitUntil: 'load', timeout: 15000 })
  const result = await page.evaluate(() => window.E2E_RESULT, undefined, { timeout: 20000 })
  if (result.fatal) throw new Error(`the page failed: ${result.fatal}`)
  const expected = Object.keys(result.calls).length

  // Keep the browser open until the inspector has every call (batching flushes on a
  // timer), then until the page has no request in flight.
  const waitUrl = `${inspector}/inspector/messages/wait?count=${expected}&timeout=15`
  const waited = await fetch(waitUrl, { signal: AbortSignal.timeout(20000) })
  const inspectorStatus = waited.status
  const until = Date.now() + 10000
  while (unsettled().length && Date.now() < until) await new Promise((r) => setTimeout(r, 50))
  // The SDK's own record of delivery: in-flight events and failures, read after the wait.
  const after = await page.evaluate(() => window.E2E_RESULT.then((r) => r.errors))

  const summary = {
    chromium: version,
    flags: flags.filter((f) => f !== 'about:blank'),
    origin,
    inspectorStatus,
    pendingAtEnd: unsettled().map((r) => r.url),
    requests,
    served,
    escaped,
    consoleErrors,
    ...result,
    errors: after,
  }
  clearTimeout(deadline)
  await cleanup()
  process.stdout.write(JSON.stringify(summary) + '\n')
  process.exit(0)
} catch (err) {
  console.error('run-browser.mjs:', err?.stack ?? err)
  clearTimeout(deadline)
  await cleanup()
  process.exit(1)
}
