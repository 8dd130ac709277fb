"""Icons of the app's messages.

Material icon names, never emoji: an emoji icon makes Streamlit load its emoji catalogue
(45 ms, 100-150 ms during a cold start on 2 cores) before it sends the first element.
"""

ERROR = ":material/error:"
WARNING = ":material/warning:"
OK = ":material/check_circle:"
STOPPED = ":material/stop_circle:"
