import type { CreateServiceCommandInput } from "@aws-sdk/client-apprunner";
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

/**
 * CreateService's input for python-hello in `repoDir` (main branch), configured through the API
 * (Python 3, pip install, `python3 server.py` on 8080, NAME as given), deployed by hand, 1 vCPU and 2 GB.
 */
export function pythonHelloService(name: string, repoDir: string, greeting: string): CreateServiceCommandInput {
  return {
    ServiceName: name,
    SourceConfiguration: {
      AutoDeploymentsEnabled: false,
      CodeRepository: {
        RepositoryUrl: `file://${repoDir}`,
        SourceCodeVersion: { Type: "BRANCH", Value: "main" },
        CodeConfiguration: {
          ConfigurationSource: "API",
          CodeConfigurationValues: { Runtime: "PYTHON_3", BuildCommand: "pip install -r requirements.txt", StartCommand: "python3 server.py", Port: "8080", RuntimeEnvironmentVariables: { NAME: greeting } },
        },
      },
    },
    InstanceConfiguration: { Cpu: "1 vCPU", Memory: "2 GB" },
  };
}
