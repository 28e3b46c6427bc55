export * from '../ports/remote-log.js' // Moved to ports/ (issue 10); import from there.
