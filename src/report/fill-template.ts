/**
 * Replaces each `{{name}}` in a template with its value. An unknown placeholder is an error,
 * so that a template edit cannot silently print braces to users.
 */
export function fillTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{\s*([a-z_]+)\s*\}\}/gu, (_match, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`Template placeholder {{${name}}} has no value; add it to the renderer or remove it from the template.`);
    return value;
  });
}
