import type { Obj } from './format.js';

/** A kind's table: its columns (priority 1 = only with `-o wide`) and how one object becomes a row. */
export interface Column {
  name: string;
  type: string;
  format?: string;
  priority?: number;
  description: string;
}

export interface Printer {
  columns: Column[];
  row(object: Obj, nowMs: number): unknown[];
  /** Row conditions (a finished pod is Completed). */
  conditions?(object: Obj): Obj[] | undefined;
}

export const NAME: Column = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description:
    'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
};
export const AGE: Column = {
  name: 'Age',
  type: 'string',
  description:
    'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.',
};

export const col = (name: string, type: string, description: string, priority = 0): Column =>
  priority ? { name, type, description, priority } : { name, type, description };

export const CONTAINERS = col('Containers', 'string', 'Names of each container in the template.', 1);
export const IMAGES = col('Images', 'string', 'Images referenced by each container in the template.', 1);
