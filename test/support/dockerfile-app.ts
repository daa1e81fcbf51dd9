/**
 * The multi-stage Node.js app of the Dockerfile build tests and bench: stage 1 runs node (a
 * dependency step the layer cache keeps, then `npm test` and the app's build), stage 2 takes
 * only the result and serves message.txt on port 3000.
 */

/** The server stage 2 runs. */
export const SERVER_JS = [
  "const fs = require('fs');",
  "require('http').createServer((q, s) => s.end(fs.readFileSync('/app/message.txt', 'utf8'))).listen(3000);",
  "",
].join("\n");

/** Stage 1 runs node (a dependency step that the cache keeps, then the app's build); stage 2 takes only the result. */
export const multiStage = (base: string): string =>
  [
    `FROM ${base} AS build`,
    "WORKDIR /src",
    "COPY package.json ./",
    `RUN node -e "require('fs').writeFileSync('deps.txt', 'deps of ' + require('./package.json').name)"`,
    "COPY . .",
    "RUN npm test",
    `RUN mkdir out && cp server.js out/ && node -e "const fs=require('fs'); fs.writeFileSync('out/message.txt', fs.readFileSync('message.txt','utf8').trim() + ' (' + fs.readFileSync('deps.txt','utf8') + ', node ' + process.version + ')')"`,
    "",
    `FROM ${base}`,
    "WORKDIR /app",
    "COPY --from=build /src/out/ /app/",
    "EXPOSE 3000",
    `CMD ["node", "server.js"]`,
    "",
  ].join("\n");

export const packageJson = (test: string): string => JSON.stringify({ name: "df-app", version: "1.0.0", scripts: { test } });
