// A cookie jar for the scripts that play a browser without one (fetch with redirect: 'manual').

/** A cookie jar of name -> value for one origin, fed by Set-Cookie headers. */
export class Jar {
  constructor() {
    this.cookies = new Map();
  }
  take(response) {
    const set = [];
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const gone = attrs.some((a) => {
        const [k, v = ''] = a.trim().split('=');
        const key = k.toLowerCase();
        return (key === 'max-age' && Number(v) <= 0)
          || (key === 'expires' && Date.parse(v) < Date.now());
      });
      if (gone || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
      set.push({ name, gone: gone || value === '' });
    }
    return set;
  }
  header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}
