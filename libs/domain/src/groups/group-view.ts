import type { Group } from '@parley/protocol';
import type { GroupRecord } from '../ports';

export function toGroupView(record: GroupRecord): Group {
  const group: Group = {
    id: record.id,
    name: record.name,
    ownerId: record.ownerId,
    muteAll: record.muteAll,
    isPublic: record.isPublic,
    joinApproval: record.joinApproval,
    memberCount: record.memberCount,
    createdAt: record.createdAt,
  };
  if (record.announcement) group.announcement = record.announcement;
  return group;
}
