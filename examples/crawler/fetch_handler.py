"""A pipe handler for a download queue: fetches args["url"], answers its size and sha256.

A missing page (4xx) fails for good; a network error or a 5xx asks for a retry.
"""

import hashlib
import json
import sys
import urllib.error
import urllib.request


def fetch(url):
    digest, size = hashlib.sha256(), 0
    with urllib.request.urlopen(url, timeout=10) as response:
        while chunk := response.read(65536):
            digest.update(chunk)
            size += len(chunk)
        return {"url": url, "status": response.status, "size": size, "sha256": digest.hexdigest()}


for line in sys.stdin:
    task = json.loads(line)
    try:
        answer = {"id": task["id"], "result": fetch(task["args"]["url"])}
    except urllib.error.HTTPError as e:
        answer = {"id": task["id"], "error": f"HTTP {e.code} for {e.url}", "retry": e.code >= 500}
    except (urllib.error.URLError, OSError) as e:
        answer = {"id": task["id"], "error": f"cannot fetch: {e}", "retry": True}
    print(json.dumps(answer), flush=True)
