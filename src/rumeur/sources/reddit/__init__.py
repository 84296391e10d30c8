"""Reddit: search, subreddit listings, comment trees and the inbox, and their payloads."""
