interface AvatarProps {
  name: string;
  photoUrl?: string;
  size?: number;
}

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const letters = parts.slice(0, 2).map((part) => Array.from(part)[0] ?? "");
  return letters.join("").toUpperCase() || "?";
}

export function Avatar({ name, photoUrl, size = 48 }: AvatarProps) {
  const style = { width: size, height: size, fontSize: size * 0.4 };
  if (photoUrl) {
    return <img className="avatar" src={photoUrl} alt={name} style={style} />;
  }
  return (
    <div className="avatar avatar--initials" style={style} aria-label={name}>
      {initials(name)}
    </div>
  );
}
