// The example's web app: answers with a greeting, its pid and how often it was asked.
const http = require('node:http');

let requests = 0;
const port = Number(process.env.PORT || 3100);
http
  .createServer((request, response) => {
    requests++;
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ hello: process.env.GREETING || 'world', pid: process.pid, requests }));
  })
  .listen(port, '127.0.0.1', () => console.log(`api listening on http://127.0.0.1:${port}`));
