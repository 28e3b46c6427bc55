export * from '../ports/storage-adapter.js' // Moved to ports/ (issue 10); import from there.
