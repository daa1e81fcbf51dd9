import { tmpdir } from "node:os";
import { join } from "node:path";

/** Managed runtimes shared by every test that builds: with it warm, python-hello builds in seconds. */
export const TEST_RUNTIMES_DIR = join(tmpdir(), "openrunner-test-runtimes");

/** The guide's python-hello, with the standard library's server instead of pyramid (no PyPI here). */
export const PYTHON_HELLO: Record<string, string> = {
  "requirements.txt": "",
  "server.py": [
    "import os",
    "from http.server import BaseHTTPRequestHandler, HTTPServer",
    "VERSION = 'v1'",
    "class Hello(BaseHTTPRequestHandler):",
    "    def do_GET(self):",
    "        name = os.environ.get('NAME') or 'world'",
    "        body = f'Hello, {name}! ({VERSION})\\n'.encode()",
    "        self.send_response(200)",
    "        self.send_header('Content-Length', str(len(body)))",
    "        self.end_headers()",
    "        self.wfile.write(body)",
    "HTTPServer(('0.0.0.0', int(os.environ['PORT'])), Hello).serve_forever()",
    "",
  ].join("\n"),
};
