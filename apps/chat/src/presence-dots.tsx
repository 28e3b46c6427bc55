// Who else is in the conversation, with a dot that is green while one of their devices has it
// open. People seen once (in presence or as authors) stay listed, greyed out, after they leave.
import { useEffect, useState } from 'react'
import type { PresenceEntry } from '@parley/core'

/** Props of {@link PresenceDots}. */
export interface PresenceDotsProps {
  presence: readonly PresenceEntry[]
  /** Authors of the loaded messages. */
  authors: readonly string[]
  self: string
  nameOf: (userId: string) => string
}

/** The participants strip. */
export function PresenceDots({ presence, authors, self, nameOf }: PresenceDotsProps) {
  const [seen, setSeen] = useState<readonly string[]>([])
  useEffect(() => {
    setSeen((list) => {
      const add = [...presence.map((p) => p.user), ...authors].filter(
        (user, i, all) => user !== self && !list.includes(user) && all.indexOf(user) === i,
      )
      return add.length === 0 ? list : [...list, ...add]
    })
  }, [presence, authors, self])

  if (seen.length === 0) return null
  return (
    <ul className="presence" aria-label="Participants">
      {seen.map((user) => {
        const online = presence.some((p) => p.user === user && p.status === 'online')
        const name = nameOf(user)
        return (
          <li
            key={user}
            className="presence-person"
            title={`${name} · ${online ? 'online' : 'offline'}`}
          >
            <span
              className={`presence-dot ${online ? 'presence-online' : 'presence-offline'}`}
              data-testid="presence-dot"
              data-user-id={user}
              data-online={online ? 'true' : 'false'}
              role="img"
              aria-label={`${name} is ${online ? 'online' : 'offline'}`}
            />
            <span className="presence-name">{name}</span>
          </li>
        )
      })}
    </ul>
  )
}
