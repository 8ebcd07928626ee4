import type { Rule } from '../types.js';
import { PC101 } from './PC101.js';
import { PC102 } from './PC102.js';
import { PC103 } from './PC103.js';
import { PC104 } from './PC104.js';
import { PC105 } from './PC105.js';
import { PC106 } from './PC106.js';
import { PC107 } from './PC107.js';
import { PC108 } from './PC108.js';
import { PC109 } from './PC109.js';
import { PC110 } from './PC110.js';
import { PC111 } from './PC111.js';
import { PC112 } from './PC112.js';
import { PC201 } from './PC201.js';
import { PC202 } from './PC202.js';
import { PC203 } from './PC203.js';
import { PC204 } from './PC204.js';
import { PC205 } from './PC205.js';
import { PC206 } from './PC206.js';
import { PC301 } from './PC301.js';
import { PC302 } from './PC302.js';
import { PC303 } from './PC303.js';
import { PC304 } from './PC304.js';
import { PC305 } from './PC305.js';
import { PC306 } from './PC306.js';
import { PC307 } from './PC307.js';
import { PC308 } from './PC308.js';
import { PC309 } from './PC309.js';
import { PC310 } from './PC310.js';
import { PC311 } from './PC311.js';
import { PC312 } from './PC312.js';
import { PC313 } from './PC313.js';
import { PC314 } from './PC314.js';
import { PC315 } from './PC315.js';
import { PC316 } from './PC316.js';
import { PC317 } from './PC317.js';
import { PC318 } from './PC318.js';
import { PC319 } from './PC319.js';
import { PC401 } from './PC401.js';
import { PC402 } from './PC402.js';
import { PC403 } from './PC403.js';
import { PC404 } from './PC404.js';
import { PC405 } from './PC405.js';

/** Every rule, in id order. */
export const RULES: readonly Rule[] = [
  PC101,
  PC102,
  PC103,
  PC104,
  PC105,
  PC106,
  PC107,
  PC108,
  PC109,
  PC110,
  PC111,
  PC112,
  PC201,
  PC202,
  PC203,
  PC204,
  PC205,
  PC206,
  PC301,
  PC302,
  PC303,
  PC304,
  PC305,
  PC306,
  PC307,
  PC308,
  PC309,
  PC310,
  PC311,
  PC312,
  PC313,
  PC314,
  PC315,
  PC316,
  PC317,
  PC318,
  PC319,
  PC401,
  PC402,
  PC403,
  PC404,
  PC405,
];
