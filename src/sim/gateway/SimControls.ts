import type { E0501Delivery } from '../e0501/E0501Service.js';
import type { FaultName } from '../faults/faultNames.js';
import type { FaultSettings, FaultSettingsPatch } from '../faults/FaultPlan.js';
import type { MaintenanceAnnouncement, MaintenanceWindow, MaintenanceWindowInput } from '../maintenance/MaintenanceCalendar.js';
import type { ExtraRules } from '../processing/ExtraRules.js';
import type { SimStats } from '../record/statsQueries.js';

/** What can be changed and read while the simulator runs (in-process, and by the `/_sim/` endpoints). */
export interface SimControls {
  faults(): { settings: FaultSettings; fired: Record<FaultName, number> };
  setFaults(patch: FaultSettingsPatch): FaultSettings;
  announcements(): MaintenanceAnnouncement[];
  addMaintenanceWindow(window: MaintenanceWindowInput): MaintenanceWindow;
  clearMaintenanceWindows(): void;
  requestE0501(period: string, options?: { partyId?: string }): Promise<E0501Delivery[]>;
  rules(): ExtraRules;
  setRules(patch: Partial<ExtraRules>): ExtraRules;
  stats(options?: { invoice?: string }): SimStats;
}
