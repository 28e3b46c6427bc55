export * from '../ports/transport.js' // Moved to ports/ (issue 10); import from there.
