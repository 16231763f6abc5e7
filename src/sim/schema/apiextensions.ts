import type { Schema } from './schema.js';

/**
 * The OpenAPI schemas of apiextensions.k8s.io/v1 (CustomResourceDefinition and the JSONSchemaProps
 * it carries), written out here: JSONSchemaProps refers to itself, which the generator of
 * definitions.json does not follow. Field names and types as in k8s.io/apiextensions-apiserver 1.32.
 */
const P = 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1';
const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const meta = (name: string) => ref(`io.k8s.apimachinery.pkg.apis.meta.v1.${name}`);
const str: Schema = { type: 'string' };
const bool: Schema = { type: 'boolean' };
const int: Schema = { type: 'integer', format: 'int64' };
const strings: Schema = { type: 'array', items: str };
const any: Schema = {};
const props: Schema = ref(`${P}.JSONSchemaProps`);
const propsMap: Schema = { type: 'object', additionalProperties: props };

const object = (description: string, properties: Record<string, Schema>, required?: string[]): Schema => ({
  description,
  type: 'object',
  ...(required ? { required } : {}),
  properties,
});

export const APIEXTENSIONS: Record<string, Schema> = {
  [`${P}.CustomResourceDefinition`]: object(
    'CustomResourceDefinition represents a resource that should be exposed on the API server.  Its name MUST be in the format <.spec.name>.<.spec.group>.',
    {
      apiVersion: str,
      kind: str,
      metadata: meta('ObjectMeta'),
      spec: ref(`${P}.CustomResourceDefinitionSpec`),
      status: ref(`${P}.CustomResourceDefinitionStatus`),
    },
    ['spec'],
  ),
  [`${P}.CustomResourceDefinitionSpec`]: object(
    'CustomResourceDefinitionSpec describes how a user wants their resource to appear',
    {
      conversion: ref(`${P}.CustomResourceConversion`),
      group: str,
      names: ref(`${P}.CustomResourceDefinitionNames`),
      preserveUnknownFields: bool,
      scope: str,
      versions: { type: 'array', items: ref(`${P}.CustomResourceDefinitionVersion`) },
    },
    ['group', 'names', 'scope', 'versions'],
  ),
  [`${P}.CustomResourceConversion`]: object(
    'CustomResourceConversion describes how to convert different versions of a CR.',
    {
      strategy: str,
      webhook: { type: 'object', properties: { clientConfig: any, conversionReviewVersions: strings } },
    },
    ['strategy'],
  ),
  [`${P}.CustomResourceDefinitionNames`]: object(
    'CustomResourceDefinitionNames indicates the names to serve this CustomResourceDefinition',
    { categories: strings, kind: str, listKind: str, plural: str, shortNames: strings, singular: str },
    ['plural', 'kind'],
  ),
  [`${P}.CustomResourceDefinitionVersion`]: object(
    'CustomResourceDefinitionVersion describes a version for CRD.',
    {
      additionalPrinterColumns: { type: 'array', items: ref(`${P}.CustomResourceColumnDefinition`) },
      deprecated: bool,
      deprecationWarning: str,
      name: str,
      schema: ref(`${P}.CustomResourceValidation`),
      selectableFields: { type: 'array', items: { type: 'object', properties: { jsonPath: str } } },
      served: bool,
      storage: bool,
      subresources: ref(`${P}.CustomResourceSubresources`),
    },
    ['name', 'served', 'storage'],
  ),
  [`${P}.CustomResourceColumnDefinition`]: object(
    'CustomResourceColumnDefinition specifies a column for server side printing.',
    {
      description: str,
      format: str,
      jsonPath: str,
      name: str,
      priority: { type: 'integer', format: 'int32' },
      type: str,
    },
    ['name', 'type', 'jsonPath'],
  ),
  [`${P}.CustomResourceValidation`]: object(
    'CustomResourceValidation is a list of validation methods for CustomResources.',
    { openAPIV3Schema: props },
  ),
  [`${P}.CustomResourceSubresources`]: object(
    'CustomResourceSubresources defines the status and scale subresources for CustomResources.',
    {
      scale: object(
        'CustomResourceSubresourceScale defines how to serve the scale subresource for CustomResources.',
        {
          labelSelectorPath: str,
          specReplicasPath: str,
          statusReplicasPath: str,
        },
      ),
      status: { type: 'object' },
    },
  ),
  [`${P}.JSONSchemaProps`]: object(
    'JSONSchemaProps is a JSON-Schema following Specification Draft 4 (http://json-schema.org/).',
    {
      $ref: str,
      $schema: str,
      additionalItems: any,
      additionalProperties: any,
      allOf: { type: 'array', items: props },
      anyOf: { type: 'array', items: props },
      default: any,
      definitions: propsMap,
      dependencies: { type: 'object' },
      description: str,
      enum: { type: 'array', items: any },
      example: any,
      exclusiveMaximum: bool,
      exclusiveMinimum: bool,
      externalDocs: { type: 'object', properties: { description: str, url: str } },
      format: str,
      id: str,
      items: any,
      maxItems: int,
      maxLength: int,
      maxProperties: int,
      maximum: { type: 'number', format: 'double' },
      minItems: int,
      minLength: int,
      minProperties: int,
      minimum: { type: 'number', format: 'double' },
      multipleOf: { type: 'number', format: 'double' },
      not: props,
      nullable: bool,
      oneOf: { type: 'array', items: props },
      pattern: str,
      patternProperties: propsMap,
      properties: propsMap,
      required: strings,
      title: str,
      type: str,
      uniqueItems: bool,
      'x-kubernetes-embedded-resource': bool,
      'x-kubernetes-int-or-string': bool,
      'x-kubernetes-list-map-keys': strings,
      'x-kubernetes-list-type': str,
      'x-kubernetes-map-type': str,
      'x-kubernetes-preserve-unknown-fields': bool,
      'x-kubernetes-validations': { type: 'array', items: { type: 'object' } },
    },
  ),
  [`${P}.CustomResourceDefinitionStatus`]: object(
    'CustomResourceDefinitionStatus indicates the state of the CustomResourceDefinition',
    {
      acceptedNames: ref(`${P}.CustomResourceDefinitionNames`),
      conditions: {
        type: 'array',
        items: ref(`${P}.CustomResourceDefinitionCondition`),
        'x-kubernetes-list-map-keys': ['type'],
        'x-kubernetes-list-type': 'map',
      },
      storedVersions: strings,
    },
  ),
  [`${P}.CustomResourceDefinitionCondition`]: object(
    'CustomResourceDefinitionCondition contains details for the current condition of this pod.',
    { lastTransitionTime: meta('Time'), message: str, reason: str, status: str, type: str },
    ['type', 'status'],
  ),
};
