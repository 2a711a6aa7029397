// Words as the course's apps see them: maximal runs of Unicode letters (Go's
// unicode.IsLetter is general category L).
export function words(contents: string): string[] {
  return contents.match(/\p{L}+/gu) ?? [];
}
