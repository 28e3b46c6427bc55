export * from '../ports/retry-policy.js' // Moved to ports/ (issue 10); import from there.
