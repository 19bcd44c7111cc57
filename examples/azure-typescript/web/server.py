"""A tiny web front end: answers /health and proxies / to the private API."""
import os
import urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer

API_URL = os.environ.get("API_URL", "http://api:5678")


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/health":
            body = b"ok"
        else:
            with urllib.request.urlopen(API_URL, timeout=5) as resp:
                body = b"web -> " + resp.read()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(body)


if __name__ == "__main__":
    HTTPServer(("", 8080), Handler).serve_forever()
