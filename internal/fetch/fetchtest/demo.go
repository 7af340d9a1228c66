package fetchtest

import "time"

// DemoRecordings is a realistic mix for `archive demo`: uploaded recordings with and without audio, a
// track recording, one still recording, one uploading, one errored, one uploaded without a RealtimeKit
// copy, one from four days ago, two of one session, and API warts (file_size as a string, the older
// timestamp form). Media is a few MB each; DemoSessions are their sessions.
func DemoRecordings(now time.Time) []Recording {
	t := func(hoursAgo int) time.Time {
		return now.Add(-time.Duration(hoursAgo) * time.Hour).Truncate(time.Millisecond)
	}
	const mb = 1 << 20
	return []Recording{
		{ID: UUID(1), MeetingID: UUID(101), SessionID: UUID(201), Status: "UPLOADED", OutputFileName: "weekly-sync_1764000000000.mp4", MediaSize: 6 * mb, AudioSize: 1 * mb, Invoked: t(20)},
		// The same session, recorded again after a stop: its artifacts are stored once.
		{ID: UUID(10), MeetingID: UUID(101), SessionID: UUID(201), Status: "UPLOADED", OutputFileName: "weekly-sync_1764000400000.mp4", MediaSize: 2 * mb, Invoked: t(19)},
		{ID: UUID(2), MeetingID: UUID(102), Status: "UPLOADED", SessionID: UUID(202), OutputFileName: "customer call (EU).mp4", MediaSize: 4*mb + 123, Invoked: t(18), FileSizeAsString: true},
		{ID: UUID(3), MeetingID: UUID(103), Status: "UPLOADED", OutputFileName: "standup.mp4", MediaSize: 3 * mb, Invoked: t(12), SpaceTimestamps: true,
			Expiry: now.Add(30 * time.Hour)},
		{ID: UUID(4), MeetingID: UUID(104), Status: "UPLOADED", Invoked: t(10), Tracks: []Track{
			{Layer: "participant-alice", File: "audio.webm", Size: mb / 2},
			{Layer: "participant-alice", File: "video.webm", Size: 2 * mb},
			{Layer: "participant-bob", File: "video.webm", Size: 2 * mb},
		}},
		{ID: UUID(5), MeetingID: UUID(105), Status: "RECORDING", Invoked: t(1)},
		{ID: UUID(6), MeetingID: UUID(106), Status: "UPLOADING", Invoked: t(2)},
		{ID: UUID(7), MeetingID: UUID(107), Status: "ERRORED", Invoked: t(8)},
		{ID: UUID(8), MeetingID: UUID(108), Status: "UPLOADED", OutputFileName: "board.mp4", Invoked: t(6), NoDownloadURL: true,
			StorageConfig: map[string]any{"type": "aws", "bucket": "customer-bucket", "region": "us-east-1", "path": "rtk", "access_key": "AKIADEMO", "secret": "demo-secret-never-stored"}},
		// Four days old and expiring in three: a nightly run that missed nights still catches it up.
		{ID: UUID(9), MeetingID: UUID(109), Status: "UPLOADED", SessionID: UUID(209), OutputFileName: "retro.mp4", MediaSize: 2 * mb, Invoked: t(96)},
	}
}

// DemoSessions are the sessions of DemoRecordings with their artifacts: one with all three shared by
// two recordings, one with a chat export only, and the four-day-old one's. The customer call's missing
// transcript and summary are pending until 7 days after it stopped, so every demo run asks for them.
func DemoSessions(now time.Time) []Session {
	ended := func(hoursAgo int) time.Time { return now.Add(-time.Duration(hoursAgo) * time.Hour) }
	const kb = 1 << 10
	return []Session{
		{ID: UUID(201), TranscriptSize: 48 * kb, SummarySize: 3 * kb, ChatSize: 9 * kb, Ended: ended(18)},
		{ID: UUID(202), ChatSize: 2 * kb, Ended: ended(17)},
		{ID: UUID(209), TranscriptSize: 30 * kb, SummarySize: 2 * kb, ChatSize: 1 * kb, Ended: ended(95)},
	}
}
