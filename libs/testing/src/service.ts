/** A throwaway server started by the test harness. */
export interface TestService {
  url: string;
  stop(): Promise<void>;
}
