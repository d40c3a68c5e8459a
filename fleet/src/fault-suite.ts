/**
 * What the fleet proof takes from the fault-injection suite (faults/): its
 * simulated users, workload, send ledger and delivery checker, so both runs
 * judge delivery by one definition. The one place this project reaches into
 * another by path; the rule against that is lifted for these lines only.
 */
/* eslint-disable @nx/enforce-module-boundaries -- the fault suite's simulation and checker are shared, not copied */
export { checkDelivery, type CheckReport, type ConversationRecord } from '../../faults/src/checker';
export { createConversations, createGroup, befriend, directConversation, type SimConversation } from '../../faults/src/sim/population';
export { SIM_PASSWORD, SimUser, type PushRecord } from '../../faults/src/sim/sim-user';
export { mapLimit, percentile, sleep } from '../../faults/src/sim/stats';
export { SendLedger, Traffic, type AckRecord } from '../../faults/src/sim/traffic';
export { records as deliveryRecords } from '../../faults/src/suite';
/* eslint-enable @nx/enforce-module-boundaries */
