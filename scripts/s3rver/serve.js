// Starts s3rver on 127.0.0.1 (a free port when 0), keeping its objects under the given directory, and writes the
// port it listens on to the given file. Used by scripts/s3.sh.
'use strict';
const fs = require('fs');
const S3rver = require('s3rver');

const [port, directory, portFile] = process.argv.slice(2);
new S3rver({ address: '127.0.0.1', port: Number(port), directory, silent: true })
  .run()
  .then(address => fs.writeFileSync(portFile, String(address.port)))
  .catch(error => {
    console.error(error);
    process.exit(1);
  });
