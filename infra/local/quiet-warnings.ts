/**
 * The AWS SDK warns on every start that its releases from 2027 need Node.js 22. The hub runs on
 * Node.js 20 and 22 alike; the README says so once, so the console stays for what matters.
 * Import this module first.
 */
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  if (`${warning.name} ${warning.message}`.includes('NodeVersionSupportWarning')) return;
  console.warn(`${warning.name}: ${warning.message}`);
});
