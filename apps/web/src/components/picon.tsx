import { useState } from 'preact/hooks';
import type { Channel } from '../lib/types.js';

/** The channel's logo, or its initials where the receiver has none (or it fails to load). */
export function Picon({ channel, size = 'normal' }: { channel: Channel; size?: 'normal' | 'large' }) {
  const [failed, setFailed] = useState(false);
  const initials = channel.name
    .replace(/[^\p{L}\p{N}\s]/gu, '')
    .split(/\s+/)
    .slice(0, 2)
    .map((word) => word[0] ?? '')
    .join('')
    .toUpperCase();
  if (!channel.logoPath || failed) {
    return (
      <span class={`picon picon-${size} picon-text`} aria-hidden="true">
        {initials}
      </span>
    );
  }
  return (
    <img
      class={`picon picon-${size}`}
      src={channel.logoPath}
      alt=""
      loading="lazy"
      decoding="async"
      onError={() => setFailed(true)}
    />
  );
}
