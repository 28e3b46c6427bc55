export * from '../ports/transport-messages.js' // Moved to ports/ (issue 10); import from there.
