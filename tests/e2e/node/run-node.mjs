// Drive the real @segment/analytics-node at an inspector, then print a JSON summary.
//
//   node run-node.mjs <inspector-url> <write-key> [bulk-count]
//
// Makes track, identify, page, screen, group and alias calls (plus `bulk-count` extra
// track calls when given), waits for closeAndFlush(), and prints on stdout:
//   {"library": {...}, "sent": {messageId: fields passed}, "delivered": n, "failed": [...],
//    "errors": [...], "httpRequests": [{url, retry}], "httpResponses": [status...]}
// Exit code 0 when the script ran (the test judges the summary), 2 on bad usage.
import { createRequire } from 'node:module'
import { Analytics } from '@segment/analytics-node'

const [url, writeKey, bulkArg] = process.argv.slice(2)
if (!url || !writeKey) {
  console.error('usage: node run-node.mjs <inspector-url> <write-key> [bulk-count]')
  process.exit(2)
}
const bulk = Number(bulkArg ?? 0)
const require = createRequire(import.meta.url)
const { version } = require('@segment/analytics-node/package.json')
const run = Math.random().toString(16).slice(2, 10)

// The quick start: point the client at the inspector instead of api.segment.io.
const analytics = new Analytics({
  writeKey,
  host: url, // e.g. 'http://127.0.0.1:8787'; the SDK posts to host + '/v1/batch'
  flushAt: 100,
  flushInterval: 1000,
  maxRetries: 3,
})

const summary = {
  library: { name: '@segment/analytics-node', version },
  sent: {},
  delivered: 0,
  failed: [],
  errors: [],
  httpRequests: [],
  httpResponses: [],
}
analytics.on('error', (err) => {
  summary.errors.push(String(err?.code ?? '') + ' ' + String(err?.reason ?? err))
})
analytics.on('http_request', (req) => {
  summary.httpRequests.push({
    url: req.url,
    retry: req.headers['X-Retry-Count'] ?? null,
    events: JSON.parse(req.body).batch.length,
  })
})
analytics.on('http_response', (res) => summary.httpResponses.push(res.status))

const pending = []
function call(method, params, expected) {
  summary.sent[params.messageId] = expected
  pending.push(
    new Promise((resolve) => {
      analytics[method](params, (err) => {
        if (err) summary.failed.push({ messageId: params.messageId, error: String(err) })
        else summary.delivered += 1
        resolve()
      })
    })
  )
}

const userId = `user-${run}`
const mid = (kind) => `node-${run}-${kind}`

const traits = { email: 'ada@example.com', name: 'Ada Lovelace', plan: 'pro' }
call('identify', { userId, traits, messageId: mid('identify') }, { type: 'identify', userId, traits })

const order = { order_id: 'o-1', revenue: 42.5, currency: 'USD' }
call(
  'track',
  { userId, event: 'Order Completed', properties: order, messageId: mid('track') },
  { type: 'track', userId, event: 'Order Completed', properties: order }
)
call(
  'page',
  { userId, category: 'Docs', name: 'Quick Start', properties: { path: '/docs' }, messageId: mid('page') },
  { type: 'page', userId, category: 'Docs', name: 'Quick Start' }
)
call(
  'screen',
  { userId, category: 'Onboarding', name: 'Welcome', properties: { step: 1 }, messageId: mid('screen') },
  { type: 'screen', userId, name: 'Welcome' }
)
const acme = { name: 'Acme Inc', employees: 42 }
call(
  'group',
  { userId, groupId: 'acme', traits: acme, messageId: mid('group') },
  { type: 'group', userId, groupId: 'acme', traits: acme }
)
call(
  'alias',
  { userId, previousId: `anon-${run}`, messageId: mid('alias') },
  { type: 'alias', userId, previousId: `anon-${run}` }
)
for (let i = 0; i < bulk; i++) {
  const properties = { index: i, sku: `sku-${i % 17}`, price: i * 0.25 }
  const u = `user-${i % 23}`
  call(
    'track',
    { userId: u, event: 'Product Viewed', properties, messageId: mid(String(i).padStart(4, '0')) },
    { type: 'track', userId: u, event: 'Product Viewed', properties }
  )
}

await analytics.closeAndFlush({ timeout: 20000 })
await Promise.all(pending)
process.stdout.write(JSON.stringify(summary) + '\n')
