// "Join": paste an invite code or link.
import { useState, type FormEvent } from 'react'
import { navigate, parseJoinInput } from './routes.js'

/** The join form; joining itself happens on the join route (the same path as an invite link). */
export function JoinForm() {
  const [value, setValue] = useState('')
  const [invalid, setInvalid] = useState(false)

  const submit = (event: FormEvent): void => {
    event.preventDefault()
    const code = parseJoinInput(value)
    if (code === undefined) {
      setInvalid(true)
      return
    }
    setInvalid(false)
    setValue('')
    navigate({ kind: 'join', code })
  }

  return (
    <form className="join-form inline-form" onSubmit={submit}>
      <label htmlFor="join-code">Join with an invite code or link</label>
      <div className="inline-row">
        <input
          id="join-code"
          data-testid="join-code-input"
          value={value}
          onChange={(event) => {
            setValue(event.target.value)
            setInvalid(false)
          }}
          placeholder="Code or link"
          autoComplete="off"
          aria-invalid={invalid}
          aria-describedby={invalid ? 'join-code-error' : undefined}
        />
        <button type="submit" data-testid="join-button" disabled={value.trim() === ''}>
          Join
        </button>
      </div>
      {invalid && (
        <p id="join-code-error" className="error" role="alert">
          That is not an invite code or link.
        </p>
      )}
    </form>
  )
}
