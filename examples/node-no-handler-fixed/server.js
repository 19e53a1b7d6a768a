const http = require('http');

const server = http.createServer((req, res) => {
  res.end('ok\n');
});

server.listen(3000, () => console.log('listening on 3000'));

// As PID 1 nothing else stops node: handle the stop signal, close the server, then exit.
process.on('SIGTERM', () => {
  console.log('SIGTERM: closing');
  server.close(() => process.exit(0));
  // Idle keep-alive connections would hold close() open.
  server.closeIdleConnections();
});
