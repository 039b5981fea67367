"""The demo staff's authenticator keys (public, in the README) and RFC 6238 codes for them:
for the browser scenarios and for scripts that sign in without a browser (Tests/multi)."""
import base64
import hashlib
import hmac
import struct
import time

# The demo secretary's authenticator key (public, in the README).
SANDRINE_KEY = "IFLE6SKOIVJUCTSEKJEU4RKMIVJE6WKBKZHUSTSFIRCU2T2BIFAQ"
ADMIN_KEY = "IFLE6SKOIVAUITKJJZAVMT2JJZCUIRKNJ5AUCQKBIFAUCQKBIFAQ"
DIRECTION_KEY = "IFLE6SKOIVCESUSFINKEST2OIFLE6SKOIVCEKTKPIFAUCQKBIFAQ"


def totp(key, at=None):
    """RFC 6238 with SHA-1, 30-second steps, six digits."""
    counter = int((at or time.time()) // 30)
    digest = hmac.new(base64.b32decode(key + "=" * (-len(key) % 8)), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = (struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{value:06d}"
