// The analytics.js quick start, as the e2e test runs it (see docs/sdk-quickstart.md).
// window.E2E = { inspector: 'http://127.0.0.1:PORT', writeKey, mode: 'standard' | 'batching' }
;(function () {
  const cfg = window.E2E
  const { AnalyticsBrowser } = window.AnalyticsNext

  // Standard delivery (one request per call): the settings the inspector serves at
  // {cdnURL}/v1/projects/{writeKey}/settings point Segment.io's apiHost back at it.
  let options = {}
  if (cfg.mode === 'batching') {
    const apiHost = cfg.inspector.replace(/^https?:\/\//, '') + '/v1' // '127.0.0.1:PORT/v1'
    options = {
      integrations: {
        'Segment.io': {
          apiHost,
          protocol: 'http',
          deliveryStrategy: { strategy: 'batching', config: { size: 10, timeout: 500 } },
        },
      },
    }
  }
  const analytics = AnalyticsBrowser.load({ writeKey: cfg.writeKey, cdnURL: cfg.inspector }, options)

  const errors = []
  analytics.on('error', (err) => {
    errors.push(String(err && err.code) + ': ' + String((err && err.reason) || err))
  })

  async function run() {
    const [ajs] = await analytics // resolves once the settings are loaded
    const userId = 'user-' + cfg.run
    // Called in this order, as a site would: a page view while anonymous, alias to link
    // the anonymous visitor to the new user id, then identify and the rest. alias gets
    // both ids: analytics-next fills a missing previousId (and, after identify, the
    // userId) from the current user when it sends, which by then is already `userId`.
    const anonymousId = ajs.user().anonymousId()
    const calls = [
      ['page', ajs.page('Docs', 'Quick Start', { section: 'e2e' })],
      ['alias', ajs.alias(userId, anonymousId)],
      ['identify', ajs.identify(userId, { email: 'ada@example.com', name: 'Ada Lovelace' })],
      ['track', ajs.track('Order Completed', { order_id: 'o-1', revenue: 42.5, currency: 'USD' })],
      ['group', ajs.group('acme', { name: 'Acme Inc', employees: 42 })],
      ['screen', ajs.screen('Onboarding', 'Welcome', { step: 1 })],
    ]
    const out = { calls: {}, failed: [], errors, settingsIntegrations: null }
    for (const [kind, promise] of calls) {
      const ctx = await promise
      const e = ctx.event
      out.calls[e.messageId] = {
        kind,
        type: e.type,
        event: e.event,
        name: e.name,
        category: e.category,
        userId: e.userId,
        previousId: e.previousId,
        groupId: e.groupId,
        properties: e.properties,
        traits: e.traits,
        anonymousId: e.anonymousId,
      }
      const failed = ctx.failedDelivery()
      if (failed) out.failed.push({ kind, reason: String(failed.reason) })
    }
    out.library = ajs.VERSION
    out.settingsIntegrations = Object.keys(ajs.settings.cdnSettings.integrations)
    return out
  }

  window.E2E_RESULT = run().catch((err) => ({ fatal: String((err && err.stack) || err), errors }))
})()
