import { readFileSync } from 'node:fs'

/** Reads a fixture copied into this package (`test/fixtures`); tests never read outside the repository. */
export function fixtureText(name: string): string {
  return readFileSync(new URL(`../test/fixtures/${name}`, import.meta.url), 'utf8')
}

/** A JSON fixture, parsed. */
export function fixtureJson<T = unknown>(name: string): T {
  return JSON.parse(fixtureText(name)) as T
}
