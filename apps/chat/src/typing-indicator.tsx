// "Alice is typing…", in a polite live region that stays mounted so screen readers hear changes.

/** Props of {@link TypingIndicator}. */
export interface TypingIndicatorProps {
  names: readonly string[]
}

function sentence(names: readonly string[]): string {
  if (names.length === 1) return `${names[0]} is typing…`
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`
  return `${names.length} people are typing…`
}

/** The indicator; the `typing-indicator` element exists only while someone types. */
export function TypingIndicator({ names }: TypingIndicatorProps) {
  return (
    <div className="typing-region" aria-live="polite">
      {names.length > 0 && (
        <p className="typing" data-testid="typing-indicator">
          <span className="typing-dots" aria-hidden="true">
            <span />
            <span />
            <span />
          </span>
          {sentence(names)}
        </p>
      )}
    </div>
  )
}
