// Writes schemas/depthlab.schema.json from the config schema (the one source of truth).
import * as path from 'node:path';
import { configJsonSchema } from '../src/core/config/jsonSchema';
import { writeJsonAtomic } from '../src/core/files/atomicWrite';

writeJsonAtomic(path.resolve(__dirname, '../schemas/depthlab.schema.json'), configJsonSchema());
