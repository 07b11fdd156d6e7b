import { limitsSchema, type Limits } from "../../../src/config/repo-config.js";

export const DEFAULT_TEST_LIMITS: Limits = limitsSchema.parse({});
