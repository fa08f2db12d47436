// Cold start baseline: an empty Node process.
process.stdout.write(JSON.stringify({ ms: performance.now() }));
