export * from '../ports/remote-log-error.js' // Moved to ports/ (issue 10); import from there.
