export * from '../ports/storage-error.js' // Moved to ports/ (issue 10); import from there.
