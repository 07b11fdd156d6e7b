import { parse, parseDocument, type Document, type ScalarTag, type CollectionTag, YAMLMap, YAMLSeq } from "yaml";

const FUNCTIONS = ["Base64", "Cidr", "Equals", "FindInMap", "GetAZs", "If", "ImportValue", "Join", "Not", "And", "Or", "Select", "Split", "Sub", "Transform"] as const;

function toPlain(node: unknown): unknown {
  return node instanceof YAMLMap || node instanceof YAMLSeq ? node.toJSON() : node;
}

/** One tag in its three forms: `!Fn scalar`, `!Fn [seq]` and `!Fn {map}`. */
function tagsFor(tag: string, key: string, fromScalar: (value: string) => unknown = (value) => value): Array<ScalarTag | CollectionTag> {
  return [
    { tag: `!${tag}`, resolve: (value: string) => ({ [key]: fromScalar(value) }) },
    { tag: `!${tag}`, collection: "seq", resolve: (value) => ({ [key]: toPlain(value) }) } as CollectionTag,
    { tag: `!${tag}`, collection: "map", resolve: (value) => ({ [key]: toPlain(value) }) } as CollectionTag,
  ];
}

const CFN_TAGS = [
  ...tagsFor("Ref", "Ref"),
  ...tagsFor("Condition", "Condition"),
  ...tagsFor("GetAtt", "Fn::GetAtt", (value) => {
    const dot = value.indexOf(".");
    return [value.slice(0, dot), value.slice(dot + 1)];
  }),
  ...FUNCTIONS.flatMap((name) => tagsFor(name, `Fn::${name}`)),
];

/** Parses a CloudFormation/SAM template, turning its short-form tags into their `Fn::` JSON form. */
export function parseCfnYaml(text: string): Record<string, any> {
  return parse(text, { customTags: CFN_TAGS, prettyErrors: true }) as Record<string, any>;
}

/** The same template as a YAML document: its nodes keep their source ranges, so comments can be found beside them. */
export function parseCfnDocument(text: string): Document {
  return parseDocument(text, { customTags: CFN_TAGS, prettyErrors: true });
}
