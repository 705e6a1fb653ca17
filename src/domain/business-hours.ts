/** When people work, as wall-clock time in whichever time zone it is applied in. */
export interface BusinessHours {
  /** Minutes after local midnight. */
  startMinute: number;
  endMinute: number;
  /** ISO weekday numbers, Monday = 1 … Sunday = 7. */
  days: number[];
}
