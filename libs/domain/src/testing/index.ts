export { RecordingNotifier, type RecordedEvent } from './recording-notifier';
export { sequenceIds } from './sequence-ids';
