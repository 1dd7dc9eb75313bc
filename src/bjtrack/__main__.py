from bjtrack.launch import main

main()
