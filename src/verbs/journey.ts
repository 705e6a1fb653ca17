/** Action.Execute verbs of the journey card; shared by the card's view model and the routes. */
export const JOURNEY_VERBS = {
  start: 'journey.start',
  refresh: 'journey.refresh',
  focus: 'journey.focus',
  unenrolled: 'journey.unenrolled',
  cannot: 'journey.cannot',
  enrolling: 'journey.enrolling',
  check: 'journey.check',
  postCheck: 'journey.postcheck',
  defer: 'journey.defer',
  optIn: 'journey.optin',
  ticketDetail: 'journey.ticket.detail',
  ticketWithdraw: 'journey.ticket.withdraw',
  stuck: 'journey.stuck',
} as const;
