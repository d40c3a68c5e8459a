import type { ClientRequest } from 'node:http';
import type { SimulatedCheck, SimulatedService } from './types';

/** The catalog's internal records: a registered service and its checks, with their create and modify indexes. */

export interface CheckState {
  def: SimulatedCheck;
  serviceId: string;
  createIndex: number;
  modifyIndex: number;
  criticalSince?: number;
  timer?: NodeJS.Timeout;
  inFlight?: ClientRequest;
}

export interface ServiceState extends Omit<SimulatedService, 'checks'> {
  createIndex: number;
  modifyIndex: number;
  checks: Map<string, CheckState>;
}
