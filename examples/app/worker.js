// The example's background worker: a line every few seconds, a clean exit on SIGINT.
let jobs = 0;
const timer = setInterval(() => console.log(`worker finished job ${++jobs}`), 3000);
console.log('worker ready');
process.on('SIGINT', () => {
  clearInterval(timer);
  console.log(`worker stopping after ${jobs} jobs`);
  process.exit(0);
});
