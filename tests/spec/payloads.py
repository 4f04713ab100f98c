"""Messages shaped like the Spec pages' full examples and like real SDK output.

The Track example is the complete example of the Spec's Track page (the seed page of this
project); the others follow the same shape for each call type.
"""

from __future__ import annotations

import copy
from typing import Any

ANON = "23adfd82-aa0f-45a7-a756-24f2a7a4c895"

_CONTEXT_AJS: dict[str, Any] = {
    "library": {"name": "analytics.js", "version": "2.11.1"},
    "page": {
        "path": "/academy/",
        "referrer": "",
        "search": "",
        "title": "Analytics Academy",
        "url": "https://segment.com/academy/",
    },
    "userAgent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_0) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/46.0.2490.86 Safari/537.36",
    "ip": "108.0.78.21",
}

TRACK_SPEC_EXAMPLE: dict[str, Any] = {
    "anonymousId": ANON,
    "context": _CONTEXT_AJS,
    "event": "Course Clicked",
    "integrations": {},
    "messageId": "ajs-f8ca1e4de5024d9430b3928bd8ac6b96",
    "properties": {"title": "Intro to Analytics"},
    "receivedAt": "2015-12-12T19:11:01.266Z",
    "sentAt": "2015-12-12T19:11:01.169Z",
    "timestamp": "2015-12-12T19:11:01.249Z",
    "type": "track",
    "userId": "AiUGstSDIg",
    "originalTimestamp": "2015-12-12T19:11:01.152Z",
}

TRACK_WITH_CONTEXT_TRAITS: dict[str, Any] = {
    **TRACK_SPEC_EXAMPLE,
    "event": "Button Clicked",
    "context": {**_CONTEXT_AJS, "traits": {"username": "testing-123"}},
}

IDENTIFY_EXAMPLE: dict[str, Any] = {
    "anonymousId": "507f191e810c19729de860ea",
    "channel": "browser",
    "context": {
        "ip": "8.8.8.8",
        "userAgent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_12_2) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/56.0.2924.87 Safari/537.36",
    },
    "integrations": {"All": False, "Mixpanel": True, "Salesforce": True},
    "messageId": "022bb90c-bbac-11e4-8dfc-aa07a5b093db",
    "receivedAt": "2015-02-23T22:28:55.387Z",
    "sentAt": "2015-02-23T22:28:55.111Z",
    "timestamp": "2015-02-23T22:28:55.111Z",
    "traits": {
        "name": "Peter Gibbons",
        "email": "peter@example.com",
        "plan": "premium",
        "logins": 5,
        "address": {
            "street": "6th St",
            "city": "San Francisco",
            "state": "CA",
            "postalCode": "94103",
            "country": "USA",
        },
    },
    "type": "identify",
    "userId": "97980cfea0067",
    "version": "1.1",
}

PAGE_EXAMPLE: dict[str, Any] = {
    "anonymousId": "507f191e810c19729de860ea",
    "channel": "browser",
    "context": {
        "ip": "8.8.8.8",
        "userAgent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_12_2) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/55.0.2883.95 Safari/537.36",
    },
    "integrations": {"All": True, "Mixpanel": False, "Salesforce": False},
    "messageId": "022bb90c-bbac-11e4-8dfc-aa07a5b093db",
    "name": "Home",
    "properties": {
        "title": "Welcome | Initech",
        "url": "http://www.example.com",
    },
    "receivedAt": "2015-02-23T22:28:55.387Z",
    "sentAt": "2015-02-23T22:28:55.111Z",
    "timestamp": "2015-02-23T22:28:55.111Z",
    "type": "page",
    "userId": "97980cfea0067",
    "version": "1.1",
}

SCREEN_EXAMPLE: dict[str, Any] = {
    "anonymousId": "3a12eab0-bca7-11e4-8dfc-aa07a5b093db",
    "channel": "mobile",
    "context": {
        "ip": "8.8.8.8",
        "app": {
            "name": "InitechGlobal",
            "version": "545",
            "build": "3.0.1.545",
            "namespace": "com.production.segment",
        },
        "device": {
            "id": "B5372DB0-C21E-11E4-8DFC-AA07A5B093DB",
            "advertisingId": "7A3CBEA0-BDF5-11E4-8DFC-AA07A5B093DB",
            "adTrackingEnabled": True,
            "manufacturer": "Apple",
            "model": "iPhone7,2",
            "name": "maguro",
            "type": "ios",
            "token": "ff15bc0c20c4aa6cd50854ff165fd265c838e5405bfeb9571066395b8c9da449",
        },
        "library": {"name": "analytics.js", "version": "2.11.1"},
        "locale": "nl-NL",
        "network": {"bluetooth": False, "carrier": "T-Mobile NL", "cellular": True, "wifi": False},
        "os": {"name": "iPhone OS", "version": "8.1.3"},
        "screen": {"width": 320, "height": 568, "density": 2},
        "timezone": "Europe/Amsterdam",
        "traits": {"name": "Peter Gibbons"},
        "referrer": {"id": "ABCD582CDEFFFF01919", "type": "dataxu"},
        "campaign": {
            "name": "TPS Innovation Newsletter",
            "source": "Newsletter",
            "medium": "email",
            "term": "tps reports",
            "content": "image link",
        },
        "userAgent": "Mozilla/5.0 (iPhone; CPU iPhone OS 9_1 like Mac OS X) AppleWebKit/601.1.46 (KHTML, like Gecko) Version/9.0 Mobile/13B143 Safari/601.1",
    },
    "integrations": {},
    "messageId": "022bb90c-bbac-11e4-8dfc-aa07a5b093db",
    "name": "Home",
    "properties": {"variation": "blue signup button"},
    "receivedAt": "2015-02-23T22:28:55.387Z",
    "sentAt": "2015-02-23T22:28:55.111Z",
    "timestamp": "2015-02-23T22:28:55.111Z",
    "type": "screen",
    "userId": "97980cfea0067",
    "version": "1.1",
}

GROUP_EXAMPLE: dict[str, Any] = {
    "anonymousId": "507f191e810c19729de860ea",
    "channel": "browser",
    "context": {"ip": "8.8.8.8", "userAgent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_12_2)"},
    "groupId": "0e8c78ea9d97a7b8185e8632",
    "integrations": {"All": True, "Mixpanel": False, "Salesforce": True},
    "messageId": "022bb90c-bbac-11e4-8dfc-aa07a5b093db",
    "receivedAt": "2015-02-23T22:28:55.387Z",
    "sentAt": "2015-02-23T22:28:55.111Z",
    "timestamp": "2015-02-23T22:28:55.111Z",
    "traits": {
        "name": "Initech",
        "industry": "Technology",
        "employees": 329,
        "plan": "enterprise",
        "total billed": 830,
    },
    "type": "group",
    "userId": "97980cfea0067",
    "version": "1.1",
}

ALIAS_EXAMPLE: dict[str, Any] = {
    "anonymousId": "507f191e810c19729de860ea",
    "channel": "browser",
    "context": {"ip": "8.8.8.8", "userAgent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_12_2)"},
    "integrations": {"All": True, "Mixpanel": False, "Salesforce": True},
    "messageId": "022bb90c-bbac-11e4-8dfc-aa07a5b093db",
    "previousId": "39239-239239-239239-23923",
    "receivedAt": "2015-02-23T22:28:55.387Z",
    "sentAt": "2015-02-23T22:28:55.111Z",
    "timestamp": "2015-02-23T22:28:55.111Z",
    "type": "alias",
    "userId": "507f191e81",
    "version": "1.1",
}

ORDER_COMPLETED_EXAMPLE: dict[str, Any] = {
    "type": "track",
    "userId": "97980cfea0067",
    "messageId": "0fcd4b2e-36aa-4bd6-9d1f-5f1d3e6c2b01",
    "timestamp": "2024-05-01T12:00:00.000Z",
    "event": "Order Completed",
    "properties": {
        "checkout_id": "fksdjfsdjfisjf9sdfjsd9f",
        "order_id": "50314b8e9bcf000000000000",
        "affiliation": "Google Store",
        "total": 27.50,
        "subtotal": 22.50,
        "revenue": 25.00,
        "shipping": 3,
        "tax": 2,
        "discount": 2.5,
        "coupon": "hasbros",
        "currency": "USD",
        "products": [
            {
                "product_id": "507f1f77bcf86cd799439011",
                "sku": "45790-32",
                "name": "Monopoly: 3rd Edition",
                "price": 19,
                "quantity": 1,
                "category": "Games",
                "url": "https://www.example.com/product/path",
                "image_url": "https://www.example.com/product/path.jpg",
            },
            {
                "product_id": "505bd76785ebb509fc183733",
                "sku": "46493-32",
                "name": "Uno Card Game",
                "price": 3,
                "quantity": 2,
                "category": "Games",
            },
        ],
    },
}

VIDEO_EXAMPLE: dict[str, Any] = {
    "type": "track",
    "userId": "97980cfea0067",
    "messageId": "1a2b",
    "event": "Video Playback Started",
    "properties": {
        "session_id": "12345",
        "content_asset_ids": ["0129370"],
        "content_pod_ids": ["segA", "segB"],
        "ad_asset_id": ["ad123", "ad246"],
        "ad_pod_id": ["adSegA", "adSegB"],
        "ad_type": "mid-roll",
        "position": 0,
        "total_length": 392,
        "bitrate": 100,
        "framerate": 29.00,
        "video_player": "youtube",
        "sound": 88,
        "full_screen": False,
        "ad_enabled": False,
        "quality": "hd1080",
        "livestream": False,
    },
}

SPEC_EXAMPLES: dict[str, dict[str, Any]] = {
    "track": TRACK_SPEC_EXAMPLE,
    "track-context-traits": TRACK_WITH_CONTEXT_TRAITS,
    "identify": IDENTIFY_EXAMPLE,
    "page": PAGE_EXAMPLE,
    "screen": SCREEN_EXAMPLE,
    "group": GROUP_EXAMPLE,
    "alias": ALIAS_EXAMPLE,
    "order-completed": ORDER_COMPLETED_EXAMPLE,
    "video-playback-started": VIDEO_EXAMPLE,
}


def analytics_python_track(i: int = 0) -> dict[str, Any]:
    """What analytics-python 2.x puts in a batch for ``analytics.track(...)``."""
    return {
        "properties": {"plan": "Pro Annual", "accountType": "Facebook", "seats": 3 + i % 5},
        "timestamp": "2024-05-01T12:00:00.123456+00:00",
        "context": {"library": {"name": "analytics-python", "version": "2.3.2"}},
        "userId": f"user-{i % 1000}",
        "anonymousId": None,
        "integrations": {},
        "event": "User Registered",
        "type": "track",
        "messageId": f"6ad6bd1c-5c5c-4b4f-9b0e-{i:012d}",
        "sentAt": "2024-05-01T12:00:00.200000+00:00",
    }


def analytics_js_page(i: int = 0) -> dict[str, Any]:
    """What analytics-next sends for ``analytics.page()``."""
    return {
        "timestamp": "2024-05-01T12:00:00.123Z",
        "integrations": {},
        "type": "page",
        "properties": {
            "path": "/pricing",
            "referrer": "https://www.google.com/",
            "search": "",
            "title": "Pricing",
            "url": "https://example.com/pricing",
        },
        "context": {
            "page": {
                "path": "/pricing",
                "referrer": "https://www.google.com/",
                "search": "",
                "title": "Pricing",
                "url": "https://example.com/pricing",
            },
            "userAgent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36",
            "userAgentData": {
                "brands": [
                    {"brand": "Chromium", "version": "124"},
                    {"brand": "Google Chrome", "version": "124"},
                ],
                "mobile": False,
                "platform": "macOS",
            },
            "locale": "en-US",
            "library": {"name": "analytics.js", "version": "next-1.70.0"},
            "timezone": "Europe/Amsterdam",
        },
        "messageId": f"ajs-next-{i:032d}",
        "anonymousId": "8f2d7a2c-1b8e-4c1e-9a5e-3f7b2c9d1e0a",
        "writeKey": "wk_test",
        "userId": None,
        "sentAt": "2024-05-01T12:00:00.130Z",
        "_metadata": {"bundled": ["Segment.io"], "unbundled": [], "bundledIds": []},
    }


def clone(msg: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(msg)
